// Original file: proto/k8ts.proto


export interface ObjectError {
  'code'?: (number);
  'message'?: (string);
  'status_json'?: (string);
}

export interface ObjectError__Output {
  'code': (number);
  'message': (string);
  'status_json': (string);
}
